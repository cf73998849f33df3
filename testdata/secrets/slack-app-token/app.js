const app = new App({ appToken: "xapp-1-AD46RV7WN2J-9278774429445-a6d899f74ee0ee0a0b8c00b6472a353419b20f7f2c3da1fa7744c58ede798a68", socketMode: true });
