"""The one error of evidence checks: the file is refused, with a message for the customer."""


class EvidenceRejected(Exception):
    def __init__(self, message):
        self.message = message
        super().__init__(message)
