TOKEN="gldt--MzayoHO6pVe3eJwF4xm"
