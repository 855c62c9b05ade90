"""Mail: the sign-off mail put in words (`compose`, `preview`, `render`, `templates/`) and the
token and address of its links (`links`). The approval pages reuse the preview, its template and
the stylesheet; nothing here imports `balise.web`."""
