const jwt = require("jsonwebtoken");
const issue = (user) => jwt.sign({ sub: user.id }, "REhbiGjlvhkTp3SKQOo6Cd6r", { expiresIn: "15m" });
