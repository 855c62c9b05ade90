"""The approval web app: emailed sign-off links open a preview here, and only its buttons decide."""
