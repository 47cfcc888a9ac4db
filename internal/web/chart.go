package web

import (
	"fmt"
	"html/template"
	"strings"
)

// Charts are SVG drawn on the server. Horizontal positions are percentages
// and vertical ones pixels, without a viewBox, so text keeps its size from
// a 360 px phone to a desktop. Colours come from the stylesheet (classes),
// so the strict CSP needs no inline styles. Each chart has a title for
// screen readers; every page also shows the same figures as a table.

// barDatum is one bar of a horizontal bar chart.
type barDatum struct {
	Label  string
	Value  int64
	Amount string // Value formatted
}

// barChart draws one labelled horizontal bar per datum, longest = 100 %.
func barChart(title string, data []barDatum) template.HTML {
	if len(data) == 0 {
		return ""
	}
	const rowH = 40
	var largest int64
	for _, d := range data {
		largest = max(largest, d.Value)
	}
	var b strings.Builder
	height := len(data) * rowH
	fmt.Fprintf(&b, `<svg class="chart bars" width="100%%" height="%d" role="img" aria-labelledby="%s"><title id="%[2]s">%s</title>`,
		height, chartID(title), esc(title))
	for i, d := range data {
		y := i * rowH
		pct := 0.0
		if largest > 0 && d.Value > 0 {
			pct = float64(d.Value) * 100 / float64(largest)
		}
		fmt.Fprintf(&b, `<text class="label" x="0" y="%d">%s</text>`, y+15, esc(d.Label))
		fmt.Fprintf(&b, `<text class="value" x="100%%" y="%d" text-anchor="end">%s</text>`, y+15, esc(d.Amount))
		fmt.Fprintf(&b, `<rect class="bar-track" x="0" y="%d" width="100%%" height="10" rx="3"></rect>`, y+22)
		fmt.Fprintf(&b, `<rect class="bar-fill c%d" x="0" y="%d" width="%.1f%%" height="10" rx="3"></rect>`, i%8, y+22, pct)
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// columnDatum is one month of a column chart: two series side by side.
type columnDatum struct {
	Label string
	A, B  int64 // e.g. income and spending
}

// columnChart draws two columns per label (series a and b), the tallest
// column filling the plot's height.
func columnChart(title, nameA, nameB string, data []columnDatum) template.HTML {
	if len(data) == 0 {
		return ""
	}
	const plotH, top = 160, 8
	var largest int64
	for _, d := range data {
		largest = max(largest, d.A, d.B)
	}
	if largest <= 0 {
		largest = 1
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart columns" width="100%%" height="%d" role="img" aria-labelledby="%s"><title id="%[2]s">%s</title>`,
		plotH+top+40, chartID(title), esc(title))
	fmt.Fprintf(&b, `<line class="axis" x1="0" x2="100%%" y1="%d" y2="%[1]d"></line>`, plotH+top)
	slot := 100.0 / float64(len(data))
	for i, d := range data {
		x := float64(i) * slot
		for j, v := range []int64{d.A, d.B} {
			h := 0
			if v > 0 {
				h = int(v * plotH / largest)
			}
			cls := "a"
			if j == 1 {
				cls = "b"
			}
			fmt.Fprintf(&b, `<rect class="col %s" x="%.2f%%" y="%d" width="%.2f%%" height="%d"></rect>`,
				cls, x+slot*(0.12+0.38*float64(j)), plotH+top-h, slot*0.36, h)
		}
		fmt.Fprintf(&b, `<text class="tick" x="%.2f%%" y="%d" text-anchor="middle">%s</text>`, x+slot/2, plotH+top+16, esc(d.Label))
	}
	fmt.Fprintf(&b, `<rect class="col a" x="0" y="%d" width="10" height="10"></rect><text class="legend" x="14" y="%d">%s</text>`, plotH+top+26, plotH+top+35, esc(nameA))
	fmt.Fprintf(&b, `<rect class="col b" x="50%%" y="%d" width="10" height="10"></rect><text class="legend" x="50%%" dx="14" y="%d">%s</text>`, plotH+top+26, plotH+top+35, esc(nameB))
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

func esc(s string) string { return template.HTMLEscapeString(s) }

func chartID(title string) string {
	var b strings.Builder
	b.WriteString("chart-")
	for _, r := range strings.ToLower(title) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		} else if b.Len() > 0 && !strings.HasSuffix(b.String(), "-") {
			b.WriteByte('-')
		}
	}
	return strings.TrimSuffix(b.String(), "-")
}
