package conversation

// staffSentence reads a staff member's sentence at the menu; ok is false when it is not
// one.
func (st *step) staffSentence(text string) (bool, error) {
	return false, nil
}
