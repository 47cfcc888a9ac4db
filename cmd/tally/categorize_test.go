package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
)

func TestCategorizeCommand(t *testing.T) {
	t.Parallel()
	in := "WHOLEFDS HOU 10236 02124201320\n\n  POS DEBIT 0423 EXXONMOBIL 97452  \r\nZZQX UNHEARD OF 555\n"
	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"categorize"}, strings.NewReader(in), &out, &errOut); err != nil {
		t.Fatalf("categorize: %v (%s)", err, errOut.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 3 {
		t.Fatalf("got %d lines, want 3 (blank lines skipped):\n%s", len(lines), out.String())
	}
	want := []map[string]string{
		{"description": "WHOLEFDS HOU 10236 02124201320", "merchant": "Whole Foods Market", "category": "groceries", "parent": "food_dining", "source": "dictionary"},
		{"description": "POS DEBIT 0423 EXXONMOBIL 97452", "merchant": "ExxonMobil", "category": "gas_fuel", "parent": "auto_transport", "source": "dictionary"},
		{"description": "ZZQX UNHEARD OF 555", "category": "uncategorized", "parent": "uncategorized", "source": "none"},
	}
	for i, l := range lines {
		var got map[string]string
		if err := json.Unmarshal([]byte(l), &got); err != nil {
			t.Fatalf("line %d is not a JSON object of strings: %v: %s", i+1, err, l)
		}
		if len(got) != 5 {
			t.Errorf("line %d: got keys %v, want description, merchant, category, parent, source", i+1, got)
		}
		for k, v := range want[i] {
			if got[k] != v {
				t.Errorf("line %d: got %s %q, want %q", i+1, k, got[k], v)
			}
		}
	}

	out.Reset()
	if err := run(context.Background(), []string{"categorize", "--explain"}, strings.NewReader("SQ *BLUE BOTTLE COFFEE OAKLAND CA\n"), &out, &errOut); err != nil {
		t.Fatal(err)
	}
	var got map[string]string
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if got["category"] != "coffee_shops" || !strings.HasPrefix(got["matched"], "seller:") || got["merchant_key"] == "" {
		t.Errorf("--explain: got %v, want coffee_shops matched by a seller", got)
	}
	if err := run(context.Background(), []string{"categorize", "file.txt"}, strings.NewReader(""), &out, &errOut); err == nil || !strings.Contains(err.Error(), "standard input") {
		t.Errorf("an argument: got %v, want an error that names standard input", err)
	}
}
