CONN = "Endpoint=sb://acme.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=mQ4bC1IvfD13CuG0Cv8v78NvIzBc5bhEUHn/rpJhFCt="
