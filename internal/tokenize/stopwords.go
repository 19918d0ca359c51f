package tokenize

// stopWords are English function words. They are dropped at index and
// query time. Words that carry meaning in code questions ("not", "no",
// "all", "any", "new", "first", "last", "before", "after") are kept on
// purpose.
var stopWords = map[string]struct{}{}

func init() {
	for _, w := range []string{
		"a", "an", "and", "are", "as", "at", "be", "been", "being", "but", "by",
		"can", "could", "did", "do", "does", "doing", "done", "each", "either", "etc",
		"for", "from", "had", "has", "have", "having", "he", "her", "here", "hers",
		"him", "his", "how", "i", "if", "in", "into", "is", "it", "its", "itself",
		"just", "may", "me", "might", "must", "my", "of", "on", "onto", "or", "our",
		"ours", "shall", "she", "should", "so", "such", "than", "that", "the",
		"their", "theirs", "them", "then", "there", "these", "they", "this",
		"those", "thus", "to", "too", "us", "very", "was", "we", "were", "what",
		"when", "where", "whether", "which", "while", "who", "whom", "whose", "why",
		"will", "with", "would", "you", "your", "yours",
	} {
		stopWords[w] = struct{}{}
	}
}

// IsStopWord reports whether a lower-case word is a stop word.
func IsStopWord(w string) bool {
	_, ok := stopWords[w]
	return ok
}
