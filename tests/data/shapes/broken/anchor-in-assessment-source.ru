# Broken: the figure's anchor points into a document that is not a source of the assessment.
# expect: AnchorInAssessmentSource TextAnchor-hasSource
BASE <https://w3id.org/cqc-kg/>
PREFIX oa: <http://www.w3.org/ns/oa#>
DELETE DATA {
  <id/source/569e1196a53f26353759ad29b02bae0b50e64d6daf5bc611bbcca54e26d23169/span/58673-58863> oa:hasSource <id/source/569e1196a53f26353759ad29b02bae0b50e64d6daf5bc611bbcca54e26d23169> .
} ;
INSERT DATA {
  <id/source/569e1196a53f26353759ad29b02bae0b50e64d6daf5bc611bbcca54e26d23169/span/58673-58863> oa:hasSource <id/source/0000000000000000000000000000000000000000000000000000000000000000> .
}
