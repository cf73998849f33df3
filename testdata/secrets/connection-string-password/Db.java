class Db {
  static final String URL = "jdbc:postgresql://db.internal:5432/app?user=svc&password=OWMqn98di7GTHQ!&ssl=true";
}
