# Broken: the graph does not say the council works with its partner.
BASE <https://w3id.org/cqc-kg/>
PREFIX cqc: <https://w3id.org/cqc-kg/def#>
DELETE DATA {
  <id/authority/E09000033> cqc:worksWith <id/assessment/E09000033/2024-11-08/partner/central-and-northwest-london-nhs-foundation-trust> .
}
