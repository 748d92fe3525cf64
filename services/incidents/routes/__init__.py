"""The incidents HTTP API, one module per family: parse the request, call the application
layer in one transaction, answer the declared response model."""
