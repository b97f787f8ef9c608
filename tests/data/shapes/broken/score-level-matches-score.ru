# Broken: the safeguarding score is 3 but its score level is 2.
BASE <https://w3id.org/cqc-kg/>
PREFIX cqc: <https://w3id.org/cqc-kg/def#>
DELETE DATA {
  <id/assessment/E09000033/2024-11-08/score/safeguarding> cqc:scoreLevel <id/score/3> .
} ;
INSERT DATA {
  <id/assessment/E09000033/2024-11-08/score/safeguarding> cqc:scoreLevel <id/score/2> .
}
