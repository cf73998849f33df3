engine = create_engine("mysql+pymysql://orders:b9QsDnz7cGc7BpUE@mysql.internal/orders")
