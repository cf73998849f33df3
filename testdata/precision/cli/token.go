package cli

import "github.com/golang-jwt/jwt/v5"

// Claims of the token the user already holds, read to show its expiry (the server verifies it).
func localClaims(tokenString string) (jwt.MapClaims, error) {
	claims := jwt.MapClaims{}
	parser := jwt.NewParser(jwt.WithoutClaimsValidation())
	_, _, err := parser.ParseUnverified(tokenString, &claims)
	return claims, err
}
