#!/bin/sh
# A trust set up from a shell, through the CLI alone: the README's "Setting up your trust" as a
# script. Run it from the repository, with the service's store configured as for `npm start`
# (DATA_DIR or DATABASE_URL), for example:  sh docs/example-trust/setup.sh
# ATTENDANCE names the command (default: the repository's own CLI through npm).
set -eu
ATTENDANCE=${ATTENDANCE:-"npm run --silent cli --"}
here=$(dirname "$0")
run() { echo "+ attendance $*" >&2; $ATTENDANCE "$@"; }

# The first administrator: the command prints the one-time link to send them.
run admin create --email sam.manager@riverside.example.org --name "Sam Manager"

run trust add --name "Riverside Learning Trust"
run school add --trust riverside-learning-trust --name "Riverside Academy" --phase secondary \
  --la "Coventry City Council" --workflow west-coventry --urn 145001 --dfe 331/4101 \
  --office office@riverside.example.org --ewo csaws@coventry.example.org --la-mailbox attendance@coventry.example.org
run school add --trust riverside-learning-trust --name "Meadow Primary" --phase primary \
  --la "West Berkshire" --workflow kennet --urn 145002 --dfe 869/2101 \
  --office office@meadow.example.org --ewo ews@westberks.example.org --la-mailbox eas@westberks.example.org

# The schools' own INSET days (an LA's .ics file imports the same way: calendar import).
run calendar add --school riverside-academy --date 2026-01-05 --kind inset --description "Training day"
run calendar add --school meadow-primary --date 2026-01-05 --kind inset --description "Training day"

# Staff: each gets an email with a link to choose their password.
run staff invite --name "Priya Shah" --email priya.shah@riverside.example.org --role pastoral --school riverside-academy
run staff invite --name "Chris Patel" --email chris.patel@riverside.example.org --role champion --school riverside-academy

# The register as the MIS exports it; then the school is evaluated as its nightly job would.
run import pupils "$here/pupils.csv" --school riverside-academy
run import contacts "$here/contacts.csv" --school riverside-academy
run import marks "$here/marks.csv" --school riverside-academy
run evaluate --school riverside-academy --as-of 2025-11-24
