import Testing

@testable import StarMockCore

@Suite("Ordered JSON")
struct JSONTests {
    let sample: JSON = .object([
        ("ok", .bool(true)),
        ("balance_usd", .number("25.50")),
        ("items", .array([.int(1), .null, .string("a")])),
        ("empty", .object([])),
        ("none", .array([])),
    ])

    @Test("compact writer is byte-exact")
    func compact() {
        #expect(sample.text() == #"{"ok":true,"balance_usd":25.50,"items":[1,null,"a"],"empty":{},"none":[]}"#)
        #expect(sample.bytes() == Array(sample.text().utf8))
        #expect(sample.bytes(.compact) == sample.bytes())
    }

    @Test("pretty writer: two-space indent, `\"k\": v`")
    func pretty() {
        let expected = """
            {
              "ok": true,
              "balance_usd": 25.50,
              "items": [
                1,
                null,
                "a"
              ],
              "empty": {},
              "none": []
            }
            """
        #expect(sample.text(.pretty) == expected)
        #expect(sample.bytes(.pretty) == Array(expected.utf8))
    }

    @Test("pretty nesting of objects in arrays")
    func prettyNested() {
        let value: JSON = .array([.object([("a", .object([("b", .int(2))]))])])
        let expected = """
            [
              {
                "a": {
                  "b": 2
                }
              }
            ]
            """
        #expect(value.text(.pretty) == expected)
        #expect(JSON.null.text(.pretty) == "null")
        #expect(JSON.string("x").text(.pretty) == "\"x\"")
    }

    @Test("duplicate keys are kept in order; the subscript reads the last one")
    func duplicates() throws {
        let text = #"{"status":"pending","id":1,"status":"completed"}"#
        let parsed = try JSON.parse(text)
        #expect(parsed.objectPairs?.map(\.0) == ["status", "id", "status"])
        #expect(parsed["status"] == .string("completed"))
        #expect(parsed["id"]?.intValue == 1)
        #expect(parsed["missing"] == nil)
        #expect(parsed.text() == text)
        #expect(JSON.array([])["x"] == nil)
    }

    @Test("number literals are kept as written", arguments: ["25.50", "100", "1.3", "-0", "1e5", "1.0E-3", "0.013", "2.0"])
    func numbers(literal: String) throws {
        let parsed = try JSON.parse("[\(literal)]")
        #expect(parsed == .array([.number(literal)]))
        #expect(parsed.text() == "[\(literal)]")
    }

    @Test("intValue reads only integers")
    func intValue() {
        #expect(JSON.number("100").intValue == 100)
        #expect(JSON.number("-7").intValue == -7)
        #expect(JSON.number("100.0").intValue == nil)
        #expect(JSON.number("1e2").intValue == nil)
        #expect(JSON.number("1E2").intValue == nil)
        #expect(JSON.number("99999999999999999999").intValue == nil)
        #expect(JSON.string("100").intValue == nil)
        #expect(JSON.int(42) == .number("42"))
    }

    @Test("accessors and type names")
    func accessors() {
        #expect(JSON.string("s").stringValue == "s")
        #expect(JSON.int(1).stringValue == nil)
        #expect(JSON.bool(false).boolValue == false)
        #expect(JSON.number("1.5").numberText == "1.5")
        #expect(JSON.array([.null]).arrayValue == [.null])
        #expect(JSON.null.objectPairs == nil)
        #expect(
            [JSON.null, .bool(true), .int(1), .string(""), .array([]), .object([])].map(\.typeName)
                == ["null", "boolean", "number", "string", "array", "object"])
    }

    @Test("equality respects key order")
    func equality() {
        let a: JSON = .object([("a", .int(1)), ("b", .int(2))])
        let b: JSON = .object([("b", .int(2)), ("a", .int(1))])
        #expect(a != b)
        #expect(a == .object([("a", .int(1)), ("b", .int(2))]))
        #expect(JSON.number("1.0") != .number("1"))
    }

    @Test("string escaping")
    func escaping() {
        let value = JSON.string("q\"b\\n\nr\rt\t\u{01}\u{1f}/é😀")
        #expect(value.text() == #""q\"b\\n\nr\rt\t\u0001\u001f/é😀""#)
        #expect(JSON.object([("k\"", .string(""))]).text() == #"{"k\"":""}"#)
    }

    @Test("escapes round-trip through the parser")
    func escapeRoundTrip() throws {
        let original = JSON.string("q\"b\\\n\r\t\u{01}\u{7f}é😀")
        #expect(try JSON.parse(original.text()) == original)
        #expect(try JSON.parse(#""\/\b\f\u00e9\ud83d\ude00""#) == .string("/\u{08}\u{0c}é😀"))
    }

    @Test("parser keeps structure and whitespace does not matter")
    func parse() throws {
        let parsed = try JSON.parse(" \n{ \"a\" : [ 1 , true , false , null , \"x\" ] , \"b\" : { } }\t\r\n")
        #expect(
            parsed == .object([("a", .array([.int(1), .bool(true), .bool(false), .null, .string("x")])), ("b", .object([]))]))
        #expect(try JSON.parse(sample.text(.pretty)) == sample)
        #expect(try JSON.parse(Array(sample.text().utf8)) == sample)
    }

    @Test(
        "parser errors",
        arguments: [
            (#"{"a":1} x"#, "unexpected data after the JSON value"),
            ("[1]]", "unexpected data after the JSON value"),
            ("tru", "invalid literal"),
            ("nul", "invalid literal"),
            ("[falsy]", "invalid literal"),
            (#""abc"#, "unterminated string"),
            (#"{"a":"b"#, "unterminated string"),
            ("", "unexpected end of input"),
            ("[1,", "unexpected end of input"),
            ("{\"a\" 1}", "expected ':'"),
            ("{1:2}", "expected a key"),
            ("[1 2]", "expected ',' or ']'"),
            ("{\"a\":1 \"b\":2}", "expected ',' or '}'"),
            ("01", "leading zero in number"),
            ("1.", "invalid number"),
            ("-", "invalid number"),
            ("1e", "invalid number"),
            ("+1", "unexpected character"),
            ("'a'", "unexpected character"),
            ("\"a\nb\"", "control character in string"),
            (#""\x""#, "invalid escape"),
            (#""\u12""#, #"bad \u escape"#),
            (#""\ud83d""#, "lone surrogate"),
        ])
    func errors(text: String, reason: String) {
        #expect(throws: JSONParseError.self) { try JSON.parse(text) }
        do {
            _ = try JSON.parse(text)
        } catch {
            #expect(error.reason == reason)
        }
    }

    @Test("the error carries the byte offset")
    func errorOffset() {
        do {
            _ = try JSON.parse(#"{"a":1} x"#)
            Issue.record("expected an error")
        } catch {
            #expect(error.offset == 8)
            #expect(error.description == "unexpected data after the JSON value at byte 8")
        }
    }

    @Test("invalid UTF-8 inside a string is refused")
    func invalidUTF8() {
        #expect(throws: JSONParseError.self) { try JSON.parse([0x22, 0xFF, 0x22]) }
    }

    @Test("nesting: 64 levels parse, 65 are refused")
    func nesting() throws {
        let ok = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        #expect(try JSON.parse(ok).text() == ok)
        let deep = String(repeating: "[", count: 65) + String(repeating: "]", count: 65)
        #expect(throws: JSONParseError(offset: 64, reason: "nesting too deep")) { try JSON.parse(deep) }
        let deepObjects = String(repeating: #"{"a":"#, count: 65) + "1" + String(repeating: "}", count: 65)
        #expect(throws: JSONParseError.self) { try JSON.parse(deepObjects) }
        // Hostile input far deeper than the limit fails fast instead of exhausting the stack.
        #expect(throws: JSONParseError.self) { try JSON.parse(String(repeating: "[", count: 100_000)) }
    }
}
