package auth_test

import (
	"fmt"

	"github.com/tallyhq/tally/internal/auth"
)

func Example() {
	hash, err := auth.HashPassword("correct horse battery staple")
	if err != nil {
		panic(err)
	}
	ok, err := auth.VerifyPassword("correct horse battery staple", hash)
	fmt.Println(ok, err)

	token, _ := auth.NewToken()
	fmt.Println(len(token), len(auth.HashToken(token)))
	// Output:
	// true <nil>
	// 43 64
}
