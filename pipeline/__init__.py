"""The build pipeline: configuration -> loaders -> resolve -> validate -> save."""
