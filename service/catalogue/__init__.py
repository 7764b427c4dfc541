"""The catalogue as the portal reads it: universities, majors and their plans in force."""
