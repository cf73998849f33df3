headers = {"Authorization": "Basic c3ZjLWRlcGxveTpGc3F0cnZ4YzhUVWI4bHZZWVdKVw=="}
