"""Mail, after the commit: notice rows (`balise.notify`, written in the deciding transaction) put
in words (`compose`, `preview`, `render`, `templates/`) and handed to the mail server (`smtp`) by
the job of the `mail` queue (`outbox`), at most once. The approval pages reuse the preview, its
template and the stylesheet; nothing here imports `balise.web`."""
