// Keeps every runtime library non-empty while its folder is being filled.
