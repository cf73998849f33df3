import requests

prices = {"₿rate": lambda: 1}
prices["₿rate"]()
requests.get("https://internal.example.com/api", verify=False)
