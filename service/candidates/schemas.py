"""Request and response schemas of the candidates, prior-diploma and personal-centre API."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from service.candidates.events import CandidateEventSchema
from service.identity.schemas import IdentitySummarySchema
from service.reference.schemas import WindowStateSchema
from service.web.schemas import EXAM_NUMBER, PageQuerySchema, StrictSchema, enumeration, page_schema


class CentreBusinessSchema(WindowStateSchema):
    usable = fields.Boolean(metadata={"description": "open now and the identity is verified"})


class CandidateListQuerySchema(PageQuerySchema):
    district = fields.String(validate=validate.Length(1, 30), metadata=enumeration("districts"))
    identity_status = fields.String(validate=validate.OneOf(
        ["unverified", "online_passed", "manual_review", "manual_passed", "rejected"]))
    exam_number = fields.String(validate=EXAM_NUMBER)
    enrolled = fields.Boolean()


class CandidateListItemSchema(Schema):
    exam_number = fields.String()
    name = fields.String()
    id_number = fields.String(metadata={"description": "masked"})
    gender = fields.String()
    district = fields.String()
    phone = fields.String(metadata={"description": "masked"})
    enrolled = fields.Boolean()
    identity_status = fields.String()
    identity_label = fields.String()
    registered_at = fields.String()


CandidateListSchema = page_schema(CandidateListItemSchema, "CandidateListSchema")


class DiplomaRecordSchema(Schema):
    name = fields.String()
    id_number = fields.String(metadata={"description": "masked"})
    gender = fields.String()
    school = fields.String(metadata={"description": "院校名称"})
    major = fields.String(metadata={"description": "专业名称"})
    level = fields.String(metadata={"description": "层次"})
    study_form = fields.String(allow_none=True, metadata={"description": "学习形式"})
    category = fields.String(allow_none=True, metadata={"description": "学历类别"})
    enrolled_year = fields.Integer(allow_none=True, metadata={"description": "入学年份"})
    graduation_year = fields.Integer(allow_none=True, metadata={"description": "毕业年份"})
    conclusion = fields.String(allow_none=True, metadata={"description": "毕业结论"})
    certificate_no = fields.String(allow_none=True)


class MatchesSchema(Schema):
    name = fields.Boolean()
    id_number = fields.Boolean()
    gender = fields.Boolean()


class DiplomaSummarySchema(Schema):
    status = fields.String(metadata={"description": "none | verified | not_found"})
    label = fields.String()
    record = fields.Nested(DiplomaRecordSchema, allow_none=True)
    matches = fields.Nested(MatchesSchema, allow_none=True,
                            metadata={"description": "does the record match the candidate's name, ID number, gender"})
    consistent = fields.Boolean(allow_none=True)
    verified_at = fields.String()
    provider = fields.String()


class DiplomaSchema(DiplomaSummarySchema):
    exam_number = fields.String()
    history = fields.List(fields.Nested(CandidateEventSchema))


class CourseSchema(Schema):
    code = fields.String()
    name = fields.String()
    credits = fields.Integer()
    score = fields.String()
    date = fields.String()
    source = fields.String(metadata={"description": "exam | exemption | old-plan | transfer-in"})
    passed = fields.Boolean()


class CoursesQuerySchema(StrictSchema):
    all = fields.Boolean(load_default=False, metadata={"description": "every result, not only the passed ones"})


class CandidateDetailSchema(Schema):
    exam_number = fields.String()
    name = fields.String()
    id_number = fields.String(metadata={"description": "in full for county and province staff; masked otherwise"})
    gender = fields.String()
    district = fields.String()
    phone = fields.String(metadata={"description": "in full for county and province staff; masked otherwise"})
    enrolled = fields.Boolean()
    registered_at = fields.String()
    updated_at = fields.String()
    identity = fields.Nested(IdentitySummarySchema)
    prior_diploma = fields.Nested(DiplomaSummarySchema)


class ProfileSchema(Schema):
    exam_number = fields.String()
    name = fields.String()
    id_number = fields.String(metadata={"description": "masked"})
    gender = fields.String()
    phone = fields.String(metadata={"description": "masked"})
    district = fields.String(metadata={"description": "报名区县"})
    enrolled = fields.Boolean()
    registered_at = fields.String()


class CentreSchema(Schema):
    now = fields.String(metadata={"description": "the service's time (Beijing)"})
    profile = fields.Nested(ProfileSchema)
    identity = fields.Nested(IdentitySummarySchema)
    prior_diploma = fields.Nested(DiplomaSummarySchema)
    businesses = fields.List(fields.Nested(CentreBusinessSchema), metadata={"description": "快捷入口"})
    passed_courses = fields.List(fields.Nested(CourseSchema), metadata={"description": "合格成绩查询"})
    passed_credits = fields.Integer()
    application = fields.Dict(allow_none=True, metadata={"description": "the latest graduation application"})
