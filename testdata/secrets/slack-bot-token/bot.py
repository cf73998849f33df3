client = WebClient(token="xoxb-757969552167-5967395166538-IdcJcMXyjMIwfjtTq6HSS9Fw")
