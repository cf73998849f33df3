DATABASE_URL = "postgresql://app:r5JMiJxd5lf9Ik8Tnn@db.internal:5432/app"
