# Broken: the SHA-256 is written in capitals.
# expect: Sha256Hex SourceIriMatchesSha256
BASE <https://w3id.org/cqc-kg/>
PREFIX cqc: <https://w3id.org/cqc-kg/def#>
DELETE DATA {
  <id/source/569e1196a53f26353759ad29b02bae0b50e64d6daf5bc611bbcca54e26d23169> cqc:sha256 "569e1196a53f26353759ad29b02bae0b50e64d6daf5bc611bbcca54e26d23169" .
} ;
INSERT DATA {
  <id/source/569e1196a53f26353759ad29b02bae0b50e64d6daf5bc611bbcca54e26d23169> cqc:sha256 "569E1196A53F26353759AD29B02BAE0B50E64D6DAF5BC611BBCCA54E26D23169" .
}
