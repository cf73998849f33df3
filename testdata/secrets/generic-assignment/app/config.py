DB_PASSWORD = "VvNJq5ggFPUm4"
api_key: "RLnROV3NqBvsuUbIwYOwgaQgbI6uG9Uj"
