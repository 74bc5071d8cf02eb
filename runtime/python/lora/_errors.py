"""The exceptions lora raises: one class per error class of the engine (README "Errors")."""


class Error(Exception):
    """An error of the lora engine.

    code        "<Type>.<Detail>", e.g. "SyntaxError.UndefinedVariable"
    error_class "syntax", "semantic", "constraint", "transient" or "database"
    message     what went wrong
    retryable   True when running the whole transaction again may succeed
    line, column where a syntax error is in the query (1-based; 0 when unknown)
    """

    retryable = False

    def __init__(self, code, error_class, message, line=0, column=0):
        super().__init__(code, error_class, message, line, column)
        self.code = code
        self.error_class = error_class
        self.message = message
        self.line = line
        self.column = column

    def __str__(self):
        return f"{self.code}: {self.message}"


class ClientError(Error):
    """The query, its parameters or the data are wrong: running it again fails again."""


class CypherSyntaxError(ClientError):
    """The query does not parse (class "syntax")."""


class CypherSemanticError(ClientError):
    """The query or its parameters are wrong (class "semantic": SemanticError.*, TypeError.*,
    ArgumentError.*, SchemaError.*, TransactionError.Closed, ...)."""


class ConstraintError(ClientError):
    """The data breaks a rule (class "constraint")."""


class TransientError(Error):
    """Nothing was done or kept; retry the whole transaction (class "transient")."""

    retryable = True


class ConflictError(TransientError):
    """Another transaction wrote the same entity first (TransientError.ConflictDetected)."""


class DatabaseError(Error):
    """A fault of the database, its files or its configuration (class "database"); also a
    call on a closed Database (DatabaseError.Closed)."""


_BY_CLASS = {
    "syntax": CypherSyntaxError,
    "semantic": CypherSemanticError,
    "constraint": ConstraintError,
    "transient": TransientError,
    "database": DatabaseError,
}


def _from_engine(code, error_class, message, line, column, conflict):
    """The exception for a lora::Error (called by the C++ module)."""
    cls = ConflictError if conflict else _BY_CLASS.get(error_class, Error)
    return cls(code, error_class, message, line, column)
