import Testing

@testable import Control

@Suite struct JSONArrayItemsTests {
    private func items(_ text: String) -> [String]? {
        jsonArrayItems(Array(text.utf8))?.map { String(decoding: $0, as: UTF8.self) }
    }

    @Test func splitsTopLevelItemsExactlyAsSent() {
        #expect(items("[]") == [])
        #expect(items(" [ ] ") == [])
        #expect(items(#"[{"a":1}, {"b":[1,2,{"c":"]"}]}]"#) == [#"{"a":1}"#, #" {"b":[1,2,{"c":"]"}]}"#])
        #expect(items(#"["x,y", "q\"]", 3]"#) == [#""x,y""#, #" "q\"]""#, " 3"])
    }

    @Test func refusesWhatIsNotAWholeArray() {
        #expect(items(#"{"a":1}"#) == nil)
        #expect(items("") == nil)
        #expect(items("[1,2") == nil)
        #expect(items("[1,]") == nil)
        #expect(items("[,]") == nil)
        #expect(items("[1] x") == nil)
        #expect(items(#"["unterminated]"#) == nil)
    }
}
