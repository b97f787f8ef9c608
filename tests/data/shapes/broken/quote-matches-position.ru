# Broken: the figure's quote is one character shorter than its span.
BASE <https://w3id.org/cqc-kg/>
PREFIX oa: <http://www.w3.org/ns/oa#>
DELETE DATA {
  <id/source/569e1196a53f26353759ad29b02bae0b50e64d6daf5bc611bbcca54e26d23169/span/58673-58863/quote> oa:exact "During 2022-23 the demand for care services had increased by 11% in comparison to the previous year, where 3535 people accessed long-term support, of which 2180 people were aged 65 and over." .
} ;
INSERT DATA {
  <id/source/569e1196a53f26353759ad29b02bae0b50e64d6daf5bc611bbcca54e26d23169/span/58673-58863/quote> oa:exact "During 2022-23 the demand for care services had increased by 11% in comparison to the previous year, where 3535 people accessed long-term support, of which 2180 people were aged 65 and over" .
}
