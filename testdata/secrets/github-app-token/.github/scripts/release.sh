curl -H "Authorization: token ghs_m3xIOnjU2wnnyB9vS0CxSFFzON2t9t2WhQtN" https://api.github.com/user
