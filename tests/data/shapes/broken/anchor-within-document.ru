# Broken: the document's character count is 3000, shorter than the anchors' spans.
BASE <https://w3id.org/cqc-kg/>
PREFIX cqc: <https://w3id.org/cqc-kg/def#>
DELETE DATA {
  <id/source/569e1196a53f26353759ad29b02bae0b50e64d6daf5bc611bbcca54e26d23169> cqc:characterCount 134853 .
} ;
INSERT DATA {
  <id/source/569e1196a53f26353759ad29b02bae0b50e64d6daf5bc611bbcca54e26d23169> cqc:characterCount 3000 .
}
