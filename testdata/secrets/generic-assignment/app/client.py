import jwt


class Client:
    def __init__(self):
        self.session.set_token('hFOr03hCmbqeqe0KH9X1JfgoslpG')
        self.config = {"db_passphrase": "copper kettle 3929"}
