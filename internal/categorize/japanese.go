package categorize

import "bytes"

// japaneseMatched opens Result.Matched for a line a Japanese word decided:
// "ja:手数料".
const japaneseMatched = "ja:"

// japaneseWord is a word Japanese bank, card and e-money statements print,
// in kana or kanji, for a kind of transaction or of trade.
type japaneseWord struct {
	word     string
	category string
	sign     int8 // 1: money in only, -1: money out only, 0: either
}

// japaneseWords are found inside the words of a line in kana or kanji
// (Japanese writes no spaces between words), in this order: the first
// found decides. A bank's passbook prints many of them in katakana
// (スイドウ for 水道, water), and a fee is a fee whatever it was for
// (振込手数料, a transfer's fee).
var japaneseWords = []japaneseWord{
	{"手数料", "bank_fee", 0},
	{"利息", "interest_income", 1},
	{"利息", "finance_charge", -1},
	{"給与", "paycheck", 1},
	{"給料", "paycheck", 1},
	{"賞与", "bonus", 1},
	{"年金", "income", 1},
	{"税", "taxes", 0},
	{"証券", "investments", 0},
	{"保険", "life_insurance", -1},
	{"家賃", "rent_mortgage", -1},
	{"電気", "utilities", -1},
	{"電力", "utilities", -1},
	{"デンキ", "utilities", -1},
	{"ガス", "utilities", -1},
	{"水道", "utilities", -1},
	{"スイドウ", "utilities", -1},
	{"携帯", "mobile_phone", -1},
	{"ケイタイ", "mobile_phone", -1},
	{"チャージ", "account_transfer", 0}, // topping up e-money (Suica, PayPay)
	{"振込", "account_transfer", 0},
	{"フリコミ", "account_transfer", 0},
	{"振替", "account_transfer", 0},
	{"フリカエ", "account_transfer", 0},
	{"送金", "peer_payment", 0},
	{"預金", "account_transfer", 0},
	{"口座", "account_transfer", 0},
	{"現金", "cash_atm", 0},
	{"引出", "cash_atm", 0},
	{"薬局", "pharmacy", -1},
	{"ドラッグ", "pharmacy", -1},
	{"歯科", "dentist", -1},
	{"病院", "doctor", -1},
	{"医院", "doctor", -1},
	{"クリニック", "doctor", -1},
	{"書店", "books", -1},
	{"ホテル", "hotel", -1},
	{"旅館", "hotel", -1},
	{"駐車場", "parking", -1},
	{"タクシー", "rental_car_taxi", -1},
	{"ガソリン", "gas_fuel", -1},
	{"居酒屋", "alcohol_bars", -1},
	{"寿司", "restaurants", -1},
	{"ラーメン", "restaurants", -1},
	{"食堂", "restaurants", -1},
	{"レストラン", "restaurants", -1},
	{"珈琲", "coffee_shops", -1},
	{"コーヒー", "coffee_shops", -1},
	{"カフェ", "coffee_shops", -1},
	{"コンビニ", "groceries", -1},
	{"スーパー", "groceries", -1},
}

// japaneseTerm returns the category of the first of japaneseWords found
// in the line's words of kana or kanji, and the word; "" when none is.
func (sc *scan) japaneseTerm(amount int64) (string, string) {
	if !sc.ja {
		return "", ""
	}
	var idx [maxTokens]int8
	words := idx[:0]
	for i := 0; i < sc.n; i++ {
		if k := sc.keyOf(&sc.tok[i]); hasJapaneseByte(k) {
			words = append(words, int8(i))
		}
	}
	if len(words) == 0 {
		return "", ""
	}
	for _, w := range japaneseWords {
		if !signOK(w.sign, amount) {
			continue
		}
		for _, i := range words {
			if bytes.Contains(sc.keyOf(&sc.tok[i]), []byte(w.word)) {
				return w.category, w.word
			}
		}
	}
	return "", ""
}

// hasJapaneseByte reports whether k holds the first byte of a character of
// kana (E3) or of the common kanji (E4 to E9) in UTF-8.
func hasJapaneseByte(k []byte) bool {
	for _, c := range k {
		if c >= 0xE3 && c <= 0xE9 {
			return true
		}
	}
	return false
}
