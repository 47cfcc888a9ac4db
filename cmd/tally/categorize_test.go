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
	// A local business from the register is its own kind of match.
	out.Reset()
	if err := run(context.Background(), []string{"categorize", "--explain"}, strings.NewReader("POS 1234 PANAHAR\n"), &out, &errOut); err != nil {
		t.Fatal(err)
	}
	got = nil
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if got["category"] != "restaurants" || got["matched"] != "local:PANAHAR" {
		t.Errorf("--explain of a local business: got %v, want restaurants matched local:PANAHAR", got)
	}
	if err := run(context.Background(), []string{"categorize", "file.txt"}, strings.NewReader(""), &out, &errOut); err == nil || !strings.Contains(err.Error(), "standard input") {
		t.Errorf("an argument: got %v, want an error that names standard input", err)
	}
}

func TestCategorizeCommandColumns(t *testing.T) {
	t.Parallel()
	in := strings.Join([]string{
		"ZZQX UNHEARD OF 555\t-12.34\t\t5411", // the MCC decides
		"ACME GMBH\t2500.00\tINT",             // the type decides, with the sign
		"Kartenzahlung REWE SAGT DANKE. 41400673//Hamburg\t-17.22",
		"CAF\xc3\x28 BAD UTF8",             // invalid UTF-8: read, not a crash
		strings.Repeat("LONG LINE ", 2000), // longer than the engine reads
		"\x00\x01\x02 binary",              // control characters
	}, "\n") + "\n"
	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"categorize", "--explain"}, strings.NewReader(in), &out, &errOut); err != nil {
		t.Fatalf("categorize: %v (%s)", err, errOut.String())
	}
	var got []map[string]string
	dec := json.NewDecoder(&out)
	for dec.More() {
		var m map[string]string
		if err := dec.Decode(&m); err != nil {
			t.Fatal(err)
		}
		got = append(got, m)
	}
	if len(got) != 6 {
		t.Fatalf("got %d lines, want 6", len(got))
	}
	checks := []struct{ category, source, matched, kept, reason string }{
		{"groceries", "mcc", "mcc:5411", "ZZQX UNHEARD OF", ""},
		{"interest_income", "dictionary", "type:INT", "ACME", ""},
		{"groceries", "dictionary", "seller:rewe", "REWE", ""},
		{"uncategorized", "none", "", "", "invalid UTF-8"},
		{"uncategorized", "none", "", "", "descriptor longer than 4096 bytes"},
		{"uncategorized", "none", "", "", "binary data (control characters)"},
	}
	for i, c := range checks {
		g := got[i]
		if g["category"] != c.category || g["source"] != c.source || g["matched"] != c.matched || g["kept"] != c.kept || g["reason"] != c.reason {
			t.Errorf("line %d: got category %q source %q matched %q kept %q reason %q, want %q %q %q %q %q",
				i+1, g["category"], g["source"], g["matched"], g["kept"], g["reason"], c.category, c.source, c.matched, c.kept, c.reason)
		}
	}

	for _, bad := range []string{"X\tabc", "X\t1.234", "X\t-5\tDEBIT\t54", "X\t1\t2\t3\t4"} {
		err := run(context.Background(), []string{"categorize"}, strings.NewReader(bad+"\n"), &out, &errOut)
		if err == nil || !strings.Contains(err.Error(), "line 1") {
			t.Errorf("%q: got %v, want an error naming line 1", bad, err)
		}
	}
}
