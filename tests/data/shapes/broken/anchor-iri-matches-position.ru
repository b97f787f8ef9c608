# Broken: the figure's position selector is shifted by one character, so the anchor's IRI names another span.
BASE <https://w3id.org/cqc-kg/>
PREFIX oa: <http://www.w3.org/ns/oa#>
DELETE DATA {
  <id/source/569e1196a53f26353759ad29b02bae0b50e64d6daf5bc611bbcca54e26d23169/span/58673-58863/position> oa:end 58863 .
  <id/source/569e1196a53f26353759ad29b02bae0b50e64d6daf5bc611bbcca54e26d23169/span/58673-58863/position> oa:start 58673 .
} ;
INSERT DATA {
  <id/source/569e1196a53f26353759ad29b02bae0b50e64d6daf5bc611bbcca54e26d23169/span/58673-58863/position> oa:end 58864 .
  <id/source/569e1196a53f26353759ad29b02bae0b50e64d6daf5bc611bbcca54e26d23169/span/58673-58863/position> oa:start 58674 .
}
