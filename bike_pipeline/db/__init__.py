"""The application database: models, engines, schema."""
