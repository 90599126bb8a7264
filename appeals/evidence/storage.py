"""Evidence storage: the "private" entry of settings.STORAGES, which has no public URL.
Files are served only through the permission-checking views in appeals.views."""

from django.core.files.storage import storages


def private_storage():
    return storages["private"]
