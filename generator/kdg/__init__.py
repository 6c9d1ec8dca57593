"""The lab's Kinesis Data Generator (KDG): records from faker.js-style templates
(`{{random.number(50)}}`, `{{date.now("DD/MMM/YYYY:HH:mm:ss ZZ")}}`), sent at a rate to a
Kinesis stream or a Firehose delivery stream of the lab's LocalStack.

Modules: template (parsing), moment (moment.js date formats), helpers (the faker.js
helpers on Python's Faker), sender (pacing, batches, retries), web (the page),
__main__ (the CLI)."""
