GITHUB_TOKEN = "ghs_WPdOyIYHI94LcF86bvgm011Q0cBnJWzrMP6H"  # checksum does not hold: still reported, medium confidence
