# Broken: the SHA-256 is not the one in the document's IRI.
BASE <https://w3id.org/cqc-kg/>
PREFIX cqc: <https://w3id.org/cqc-kg/def#>
DELETE DATA {
  <id/source/569e1196a53f26353759ad29b02bae0b50e64d6daf5bc611bbcca54e26d23169> cqc:sha256 "569e1196a53f26353759ad29b02bae0b50e64d6daf5bc611bbcca54e26d23169" .
} ;
INSERT DATA {
  <id/source/569e1196a53f26353759ad29b02bae0b50e64d6daf5bc611bbcca54e26d23169> cqc:sha256 "569e1196a53f26353759ad29b02bae0b50e64d6daf5bc611bbcca54e26d23160" .
}
