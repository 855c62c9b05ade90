"""The media store and what balise does to photos: `store.py` writes every kept file (photos,
signed consent forms, upload copies) under its content hash; `images.py` opens, checks and
cleans photos with Pillow; `faces.py` counts faces with OpenCV."""
