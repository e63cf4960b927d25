package conversation

// InputError is bad input: Key names the i18n text that explains it, Args fill it in.
type InputError struct {
	Key  string
	Args []any
}

func (e *InputError) Error() string { return e.Key }

func inputErr(key string, args ...any) *InputError { return &InputError{Key: key, Args: args} }
