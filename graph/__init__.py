"""wbkg graph code: configuration, connection, models, schema, local server and the CLI."""
