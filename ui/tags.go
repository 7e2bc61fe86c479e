package ui

import (
	"fmt"
	"strings"

	"github.com/keypair-dev/keypair/pair"
	"github.com/keypair-dev/keypair/ui/internal/field"
)

// Widths of the tag inputs, in cells.
const (
	tagKeyWidth   = 20
	tagValueWidth = 24
	tagRowIndent  = 4 // "  " focus marker + 2 spaces
)

// tagRow is one key/value row of the tags editor.
type tagRow struct {
	key, value field.Model
	touched    bool // typed into since it was added
}

// tagList is the tags editor: rows are added and removed freely; the rules
// (at most 50, unique keys, lengths, no "aws:") are keys' and are shown live.
type tagList struct {
	rows []tagRow
}

func newTagRow(st *Styles, k, v string) tagRow {
	// One rune over each limit so an over-long paste shows the rule instead
	// of being cut silently.
	r := tagRow{
		key:   newInput(st, "key", pair.MaxTagKeyLen+1, tagKeyWidth),
		value: newInput(st, "value", pair.MaxTagValueLen+1, tagValueWidth),
	}
	r.key.SetValue(k)
	r.value.SetValue(v)
	return r
}

// add appends a row and returns its index.
func (t *tagList) add(st *Styles, k, v string) int {
	t.rows = append(t.rows, newTagRow(st, k, v))
	return len(t.rows) - 1
}

// remove deletes row i.
func (t *tagList) remove(i int) {
	if i < 0 || i >= len(t.rows) {
		return
	}
	t.rows = append(t.rows[:i], t.rows[i+1:]...)
}

// tags returns the rows as keys.Tags, in order.
func (t *tagList) tags() []pair.Tag {
	if len(t.rows) == 0 {
		return nil
	}
	out := make([]pair.Tag, len(t.rows))
	for i, r := range t.rows {
		out[i] = pair.Tag{Key: r.key.Value(), Value: r.value.Value()}
	}
	return out
}

func (t *tagList) restyle(st *Styles) {
	for i := range t.rows {
		t.rows[i].key.SetStyles(st.Input)
		t.rows[i].value.SetStyles(st.Input)
		t.rows[i].key.Placeholder = st.placeholder("key")
		t.rows[i].value.Placeholder = st.placeholder("value")
	}
}

// input returns the text input of row i (value or key), or nil.
func (t *tagList) input(i int, value bool) *field.Model {
	if i < 0 || i >= len(t.rows) {
		return nil
	}
	if value {
		return &t.rows[i].value
	}
	return &t.rows[i].key
}

// rowView renders row i and returns the line and the column where the key
// input and the value input start.
func (t *tagList) rowView(i int, focused bool, st *Styles) (line string, keyCol, valueCol int) {
	r := t.rows[i]
	marker := "  "
	if focused {
		marker = st.Focused.Render("> ")
	}
	num := fmt.Sprintf("%2d ", i+1)
	var b strings.Builder
	b.WriteString(marker)
	b.WriteString("  ")
	b.WriteString(st.Hint.Render(num))
	keyCol = tagRowIndent + len(num)
	b.WriteString(r.key.View())
	b.WriteString(st.Hint.Render(" = "))
	valueCol = keyCol + tagKeyWidth + 1 + 3
	b.WriteString(r.value.View())
	return b.String(), keyCol, valueCol
}
