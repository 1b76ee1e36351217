import Crypto
import Testing

/// RFC 4648 §10.
private let rfc4648: [(text: String, padded: String, unpadded: String)] = [
    ("", "", ""),
    ("f", "Zg==", "Zg"),
    ("fo", "Zm8=", "Zm8"),
    ("foo", "Zm9v", "Zm9v"),
    ("foob", "Zm9vYg==", "Zm9vYg"),
    ("fooba", "Zm9vYmE=", "Zm9vYmE"),
    ("foobar", "Zm9vYmFy", "Zm9vYmFy"),
]

@Test(arguments: rfc4648.indices)
func base64RFC4648(_ index: Int) {
    let v = rfc4648[index]
    let bytes = Array(v.text.utf8)
    #expect(Base64.encode(bytes) == v.padded)
    #expect(Base64.encode(bytes, padded: false) == v.unpadded)
    #expect(Base64.encode(bytes, alphabet: .url, padded: false) == v.unpadded)
    #expect(Base64.decode(v.padded) == bytes)
    #expect(Base64.decode(v.unpadded, padding: .absent) == bytes)
    #expect(Base64.decode(v.padded, padding: .optional) == bytes)
    #expect(Base64.decode(v.unpadded, padding: .optional) == bytes)
}

/// 62 and 63 are the symbols where the alphabets differ.
@Test func base64AlphabetsDifferIn62And63() {
    let bytes: [UInt8] = [0xfb, 0xff, 0xbf, 0xfb, 0xff]
    #expect(Base64.encode(bytes) == "+/+/+/8=")
    #expect(Base64.encode(bytes, alphabet: .url) == "-_-_-_8=")
    #expect(Base64.decode("-_-_-_8=", alphabet: .url) == bytes)
    #expect(Base64.decode("-_-_-_8=") == nil)
    #expect(Base64.decode("+/+/+/8=", alphabet: .url) == nil)
}

@Test(arguments: [Base64.Alphabet.standard, .url], [true, false])
func base64RoundTripsEveryLength(_ alphabet: Base64.Alphabet, _ padded: Bool) {
    let all = (0..<300).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
    for length in 0...all.count {
        let bytes = Array(all.prefix(length))
        let text = Base64.encode(bytes, alphabet: alphabet, padded: padded)
        #expect(text.utf8.count == (padded ? (length + 2) / 3 * 4 : (length * 4 + 2) / 3))
        #expect(Base64.decode(text, alphabet: alphabet, padding: padded ? .required : .absent) == bytes)
    }
}

private let invalid: [(text: String, padding: Base64.Padding)] = [
    ("Zg", .required),  // unpadded where padding is required
    ("Zg=", .required),  // incomplete padding
    ("Zg=", .optional),
    ("Zg==", .absent),  // padding where none is allowed
    ("Z", .absent),  // one leftover symbol is not a byte
    ("Z===", .required),
    ("====", .required),
    ("=Zg=", .required),
    ("Zg==Zg==", .required),  // padding inside
    ("Zh==", .required),  // non-zero unused bits
    ("Zm9=", .required),
    ("Zh", .absent),
    ("Zm 9v", .optional),  // whitespace
    ("Zm9v\n", .optional),
    ("Zm9*", .required),  // outside the alphabet
    ("Zm9é", .optional),  // non-ASCII
    ("Zm9vYg==", .absent),
]

@Test(arguments: invalid.indices)
func base64RejectsInvalid(_ index: Int) {
    let v = invalid[index]
    #expect(Base64.decode(v.text, padding: v.padding) == nil, "\(v.text)")
}
