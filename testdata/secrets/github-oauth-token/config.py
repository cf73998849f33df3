GITHUB_TOKEN = "gho_h3KE0eWkivesmD5MawZxIuk6ZNu5YqeiYW4g"  # checksum does not hold: still reported, medium confidence
