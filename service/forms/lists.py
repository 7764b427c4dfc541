"""The official code lists offered on the 毕业登记信息填写 screen.

The names are the full names of the national standards, in the standards' code
order, so a value stored here can always be mapped back to its code.
"""
from __future__ import annotations

# GB/T 3304-1991《中国各民族名称的罗马字母拼写法和代码》, codes 01-56.  The
# standard's 97 其他 / 98 外国血统中国籍人士 are deliberately absent: the
# 毕业生登记表 records one of the 56 nationalities.
ETHNICITY_CODES: dict[str, str] = {
    "01": "汉族", "02": "蒙古族", "03": "回族", "04": "藏族", "05": "维吾尔族",
    "06": "苗族", "07": "彝族", "08": "壮族", "09": "布依族", "10": "朝鲜族",
    "11": "满族", "12": "侗族", "13": "瑶族", "14": "白族", "15": "土家族",
    "16": "哈尼族", "17": "哈萨克族", "18": "傣族", "19": "黎族", "20": "傈僳族",
    "21": "佤族", "22": "畲族", "23": "高山族", "24": "拉祜族", "25": "水族",
    "26": "东乡族", "27": "纳西族", "28": "景颇族", "29": "柯尔克孜族", "30": "土族",
    "31": "达斡尔族", "32": "仫佬族", "33": "羌族", "34": "布朗族", "35": "撒拉族",
    "36": "毛南族", "37": "仡佬族", "38": "锡伯族", "39": "阿昌族", "40": "普米族",
    "41": "塔吉克族", "42": "怒族", "43": "乌孜别克族", "44": "俄罗斯族", "45": "鄂温克族",
    "46": "德昂族", "47": "保安族", "48": "裕固族", "49": "京族", "50": "塔塔尔族",
    "51": "独龙族", "52": "鄂伦春族", "53": "赫哲族", "54": "门巴族", "55": "珞巴族",
    "56": "基诺族",
}
ETHNICITIES: tuple[str, ...] = tuple(ETHNICITY_CODES.values())

# GB/T 4762-1984《政治面貌代码》, codes 01-13, full names throughout (not the
# standard's short forms such as 中共党员 / 共青团员).  Code 12 is printed in
# the standard as 无党派民主人士; the current official usage, and the wording
# this screen shows candidates, is 无党派人士.
POLITICAL_STATUS_CODES: dict[str, str] = {
    "01": "中国共产党党员",
    "02": "中国共产党预备党员",
    "03": "中国共产主义青年团团员",
    "04": "中国国民党革命委员会会员",
    "05": "中国民主同盟盟员",
    "06": "中国民主建国会会员",
    "07": "中国民主促进会会员",
    "08": "中国农工民主党党员",
    "09": "中国致公党党员",
    "10": "九三学社社员",
    "11": "台湾民主自治同盟盟员",
    "12": "无党派人士",
    "13": "群众",
}
POLITICAL_STATUSES: tuple[str, ...] = tuple(POLITICAL_STATUS_CODES.values())

# Province-level divisions whose name ends in 省 (GB/T 2260), used to anchor
# the 籍贯 pattern so that "山西太原" or "晋省太原市" is refused.
PROVINCES: tuple[str, ...] = (
    "河北省", "山西省", "辽宁省", "吉林省", "黑龙江省", "江苏省", "浙江省", "安徽省",
    "福建省", "江西省", "山东省", "河南省", "湖北省", "湖南省", "广东省", "海南省",
    "四川省", "贵州省", "云南省", "陕西省", "甘肃省", "青海省", "台湾省",
)
AUTONOMOUS_REGIONS: tuple[str, ...] = (
    "内蒙古自治区", "广西壮族自治区", "西藏自治区", "宁夏回族自治区", "新疆维吾尔自治区",
)
MUNICIPALITIES: tuple[str, ...] = ("北京市", "天津市", "上海市", "重庆市")
SPECIAL_REGIONS: tuple[str, ...] = ("香港特别行政区", "澳门特别行政区")
