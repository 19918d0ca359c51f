package chunk

import (
	tsc "github.com/tree-sitter/tree-sitter-c/bindings/go"
	tscpp "github.com/tree-sitter/tree-sitter-cpp/bindings/go"
	tsjava "github.com/tree-sitter/tree-sitter-java/bindings/go"
	tsjs "github.com/tree-sitter/tree-sitter-javascript/bindings/go"
	tspython "github.com/tree-sitter/tree-sitter-python/bindings/go"
	tsruby "github.com/tree-sitter/tree-sitter-ruby/bindings/go"
	tsrust "github.com/tree-sitter/tree-sitter-rust/bindings/go"
	tsts "github.com/tree-sitter/tree-sitter-typescript/bindings/go"
)

// The per-language tables. Node kinds and fields are those of each
// grammar's src/node-types.json at the versions in go.mod; TestTSTables
// fails if a name here does not exist in its grammar.
//
// Namespaces (C++ namespace, Rust mod, TypeScript namespace) are looked
// through and do not qualify names, the way a Go package does not: a C++
// "void Foo::bar()" inside "namespace geo" is Foo.bar. Ruby modules do
// qualify, since Ruby code calls Mod.method and nests classes in modules.

func init() {
	for _, s := range tsSpecs {
		register(s.lang, newTSChunker(s))
	}
}

// tsSpecs lists every tree-sitter language.
var tsSpecs = []*tsSpec{
	pythonSpec, jsSpec, typescriptSpec(LangTypeScript), typescriptSpec(LangTSX),
	javaSpec, rustSpec, cSpec, cppSpec, rubySpec,
}

var pythonSpec = &tsSpec{
	lang:     LangPython,
	language: tspython.Language,
	defs: map[string]tsDef{
		"function_definition": {kind: KindFunction, function: true, name: "name", body: "body", docstring: true},
		"class_definition":    {kind: KindClass, name: "name", body: "body", members: true, docstring: true},
	},
	wrappers: map[string]bool{"decorated_definition": false},
	// Module-level if/try blocks hold real definitions in the standard
	// library (platform variants, optional imports).
	transparent: []string{"if_statement", "elif_clause", "else_clause", "try_statement",
		"except_clause", "finally_clause", "block"},
	comments: []string{"comment"},
}

// jsFuncValues are the values that make "const f = ..." a function.
var jsFuncValues = []string{"arrow_function", "function_expression", "generator_function"}

var jsSpec = &tsSpec{
	lang:     LangJavaScript,
	language: tsjs.Language,
	defs: map[string]tsDef{
		"function_declaration":           {kind: KindFunction, function: true, name: "name", body: "body"},
		"generator_function_declaration": {kind: KindFunction, function: true, name: "name", body: "body"},
		"class_declaration":              {kind: KindClass, name: "name", body: "body", members: true},
		"method_definition":              {kind: KindFunction, function: true, name: "name", body: "body"},
		"variable_declarator": {kind: KindFunction, function: true, name: "name", body: "value.body",
			when: "value", whenKinds: jsFuncValues},
		"field_definition": {kind: KindFunction, function: true, name: "property", body: "value.body",
			when: "value", whenKinds: jsFuncValues},
	},
	wrappers: map[string]bool{"export_statement": true, "lexical_declaration": true, "variable_declaration": true},
	comments: []string{"comment"},
	prefixes: []string{"decorator"},
}

// typescriptSpec builds the TypeScript or TSX table; the grammars share node kinds.
func typescriptSpec(lang string) *tsSpec {
	language := tsts.LanguageTypescript
	if lang == LangTSX {
		language = tsts.LanguageTSX
	}
	return &tsSpec{
		lang:     lang,
		language: language,
		defs: map[string]tsDef{
			"function_declaration":           {kind: KindFunction, function: true, name: "name", body: "body"},
			"generator_function_declaration": {kind: KindFunction, function: true, name: "name", body: "body"},
			"class_declaration":              {kind: KindClass, name: "name", body: "body", members: true},
			"abstract_class_declaration":     {kind: KindClass, name: "name", body: "body", members: true},
			"method_definition":              {kind: KindFunction, function: true, name: "name", body: "body"},
			"interface_declaration":          {kind: KindInterface, name: "name", body: "body"},
			"enum_declaration":               {kind: KindEnum, name: "name", body: "body"},
			"type_alias_declaration":         {kind: KindType, name: "name"},
			"variable_declarator": {kind: KindFunction, function: true, name: "name", body: "value.body",
				when: "value", whenKinds: jsFuncValues},
			"public_field_definition": {kind: KindFunction, function: true, name: "name", body: "value.body",
				when: "value", whenKinds: jsFuncValues},
		},
		wrappers: map[string]bool{"export_statement": true, "lexical_declaration": true,
			"variable_declaration": true, "ambient_declaration": true},
		// "namespace N {}" parses as an expression statement.
		transparent: []string{"expression_statement", "internal_module", "module", "statement_block"},
		comments:    []string{"comment"},
		// Decorators of class members are siblings of the member.
		prefixes: []string{"decorator"},
	}
}

var javaSpec = &tsSpec{
	lang:     LangJava,
	language: tsjava.Language,
	defs: map[string]tsDef{
		"class_declaration":               {kind: KindClass, name: "name", body: "body", members: true},
		"record_declaration":              {kind: KindClass, name: "name", body: "body", members: true},
		"interface_declaration":           {kind: KindInterface, name: "name", body: "body", members: true},
		"annotation_type_declaration":     {kind: KindInterface, name: "name", body: "body", members: true},
		"enum_declaration":                {kind: KindEnum, name: "name", body: "body", members: true},
		"method_declaration":              {kind: KindFunction, function: true, needBody: true, name: "name", body: "body"},
		"constructor_declaration":         {kind: KindFunction, function: true, needBody: true, name: "name", body: "body"},
		"compact_constructor_declaration": {kind: KindFunction, function: true, needBody: true, name: "name", body: "body"},
	},
	transparent: []string{"enum_body", "enum_body_declarations"},
	comments:    []string{"line_comment", "block_comment"},
}

var rustSpec = &tsSpec{
	lang:     LangRust,
	language: tsrust.Language,
	defs: map[string]tsDef{
		"function_item":    {kind: KindFunction, function: true, name: "name", body: "body"},
		"struct_item":      {kind: KindStruct, name: "name", body: "body"},
		"union_item":       {kind: KindStruct, name: "name", body: "body"},
		"enum_item":        {kind: KindEnum, name: "name", body: "body"},
		"trait_item":       {kind: KindInterface, name: "name", body: "body", members: true},
		"type_item":        {kind: KindType, name: "name"},
		"macro_definition": {kind: KindFunction, name: "name"},
		// An impl block is no chunk of its own: its methods are, named
		// after the type ("impl Display for Foo" qualifies with Foo).
		"impl_item": {name: "type", body: "body", members: true},
	},
	transparent: []string{"mod_item", "declaration_list"},
	comments:    []string{"line_comment", "block_comment"},
	prefixes:    []string{"attribute_item"},
	unwrap: map[string]string{
		"generic_type":           "type",
		"scoped_type_identifier": "name",
		"reference_type":         "type",
	},
}

// cDeclarators are the C declarator kinds between a function or typedef
// and its name.
var cDeclarators = map[string]string{
	"function_declarator":      "declarator",
	"pointer_declarator":       "declarator",
	"array_declarator":         "declarator",
	"parenthesized_declarator": "",
	"attributed_declarator":    "",
}

var cTypedefKinds = map[string]Kind{
	"struct_specifier": KindStruct,
	"union_specifier":  KindStruct,
	"enum_specifier":   KindEnum,
}

var cPreproc = []string{"preproc_if", "preproc_ifdef", "preproc_else", "preproc_elif", "preproc_elifdef"}

var cSpec = &tsSpec{
	lang:     LangC,
	language: tsc.Language,
	defs: map[string]tsDef{
		"function_definition": {kind: KindFunction, function: true, needBody: true, name: "declarator", body: "body"},
		"struct_specifier":    {kind: KindStruct, name: "name", body: "body", needBody: true},
		"union_specifier":     {kind: KindStruct, name: "name", body: "body", needBody: true},
		"enum_specifier":      {kind: KindEnum, name: "name", body: "body", needBody: true},
		"type_definition": {kind: KindType, name: "declarator", body: "type.body", tail: true,
			typeKinds: cTypedefKinds},
	},
	// "struct s {...} v;" is a declaration holding the struct.
	wrappers:    map[string]bool{"declaration": true},
	transparent: append([]string{"linkage_specification", "declaration_list"}, cPreproc...),
	comments:    []string{"comment"},
	unwrap:      cDeclarators,
}

var cppSpec = &tsSpec{
	lang:     LangCPP,
	language: tscpp.Language,
	defs: map[string]tsDef{
		"function_definition": {kind: KindFunction, function: true, needBody: true, name: "declarator", body: "body"},
		"class_specifier":     {kind: KindClass, name: "name", body: "body", needBody: true, members: true},
		"struct_specifier":    {kind: KindStruct, name: "name", body: "body", needBody: true, members: true},
		"union_specifier":     {kind: KindStruct, name: "name", body: "body", needBody: true, members: true},
		"enum_specifier":      {kind: KindEnum, name: "name", body: "body", needBody: true},
		"type_definition": {kind: KindType, name: "declarator", body: "type.body", tail: true,
			typeKinds: cTypedefKinds},
		"alias_declaration": {kind: KindType, name: "name"},
	},
	// A nested "struct Bounds {...};" in a class is a field declaration.
	wrappers:    map[string]bool{"template_declaration": true, "declaration": true, "field_declaration": true},
	transparent: append([]string{"namespace_definition", "linkage_specification", "declaration_list"}, cPreproc...),
	comments:    []string{"comment"},
	unwrap: merge(cDeclarators, map[string]string{
		"reference_declarator": "",
		"template_type":        "name",
		"template_function":    "name",
	}),
	qualified: map[string][2]string{"qualified_identifier": {"scope", "name"}},
	heads:     map[string]string{"operator_cast": "declarator"},
}

var rubySpec = &tsSpec{
	lang:     LangRuby,
	language: tsruby.Language,
	defs: map[string]tsDef{
		"method":           {kind: KindFunction, function: true, name: "name", body: "body"},
		"singleton_method": {kind: KindFunction, function: true, name: "name", body: "body"},
		"class":            {kind: KindClass, name: "name", body: "body", members: true},
		"module":           {kind: KindType, name: "name", body: "body", members: true},
	},
	// "class << self" adds singleton methods to the enclosing class.
	transparent: []string{"singleton_class", "body_statement"},
	comments:    []string{"comment"},
	qualified:   map[string][2]string{"scope_resolution": {"scope", "name"}},
}

func merge(a, b map[string]string) map[string]string {
	m := make(map[string]string, len(a)+len(b))
	for k, v := range a {
		m[k] = v
	}
	for k, v := range b {
		m[k] = v
	}
	return m
}
