FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY balise ./balise
RUN pip install --no-cache-dir .
ENV BALISE_DATA_DIR=/data
CMD ["balise", "status"]
