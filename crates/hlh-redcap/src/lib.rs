//! REDCap projects as studies (docs/redcap.md): the data dictionary of an sHLH treatment study, ready to
//! upload, and the flat raw export of a project made from it read with the study format's rules, each
//! problem named by record, instrument, instance and field.

mod dictionary;
mod import;
mod project;

pub use dictionary::{code_of, fields, template_csv, Field, WEB_HEADER};
pub use import::{import, Export};
